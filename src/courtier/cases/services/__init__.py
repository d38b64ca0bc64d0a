"""Cases: opening requests, conversations, hand-offs, SLA clocks, tasks and reports.

Each sub-module is one capability; import the one you need (``cases.services.handoffs``).
"""
