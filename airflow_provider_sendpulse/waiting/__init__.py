"""Waiting on SendPulse, shared by sensors, triggers and operators: poll settings, the error budget,
trigger payloads and the campaign wait."""
