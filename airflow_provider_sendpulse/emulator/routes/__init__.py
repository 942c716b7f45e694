"""SendPulse's routes, one module per area, plus the admin API."""
