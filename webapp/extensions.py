"""Flask extensions, created unbound; ``create_app`` calls their ``init_app``."""

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
compress = Compress()  # configured by webapp.assets
limiter = Limiter(key_func=get_remote_address, default_limits=[])
