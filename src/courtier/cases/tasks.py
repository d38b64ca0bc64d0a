"""Background work for cases: none yet. SLA states are computed when read, so no job has
to flip a "breached" flag; due promises become tasks in ``promises.tasks``."""
