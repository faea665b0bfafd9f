"""Domain and service layer of the carbon inclusion points platform.

Business rules live here and nowhere else; ``webapp`` and ``bot`` are thin adapters over these services.
"""
