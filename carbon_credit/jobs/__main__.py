"""``python -m carbon_credit.jobs``: the scheduler process (the Procfile's ``scheduler`` line)."""

from carbon_credit.jobs.scheduler import run_scheduler
from carbon_credit.platform import logs

logs.configure()
run_scheduler()
