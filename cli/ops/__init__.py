"""Day-2 operations: drift, sandbox reaper, metering, compliance report, export."""
