"""Airflow hooks of the SendPulse provider."""
