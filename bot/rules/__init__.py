"""Pure rules (no I/O): dates as people type them, contact cadence, and later the law's periods."""
