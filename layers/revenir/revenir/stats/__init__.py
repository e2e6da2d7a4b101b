"""Monthly counters per property (docs/data-model.md, "Dashboard counters"): written inside the transactions
where the events happen, read back with one Query for the back-office's dashboard."""
