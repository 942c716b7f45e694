"""Sensors: new SendPulse events, and email campaigns reaching a final status."""
