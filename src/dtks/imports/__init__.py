"""Spreadsheet and CSV import and export of the registry: batches, staging, error reports."""
