"""Shared plumbing: settings, database, errors, time, lists."""
