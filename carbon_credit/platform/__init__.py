"""The small platform every feature stands on: settings, database and sessions, the clock and Beijing
time, typed errors, logging, the message catalogue, the audited idempotent command and the spreadsheet
reader. It imports no feature."""
