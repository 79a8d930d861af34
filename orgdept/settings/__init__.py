"""Settings: base (embedded default), test, production; all configuration comes from the environment."""
