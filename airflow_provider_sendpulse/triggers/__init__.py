"""Async triggers: new SendPulse events (also for asset watchers) and campaign completion."""
