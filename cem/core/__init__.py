"""The shared core: settings, the database and its models, accounts and
roles, translation, value checks, errors, months, and the plumbing every
part uses (plain reads, bulk staging, grid edits, the change log, backups,
the fast spreadsheet reader)."""
