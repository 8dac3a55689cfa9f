"""`flask --app app import-csv FILE`: bring a clinic's history in from a spreadsheet.

The file is read (`csvfile`), each row parsed against its instrument (`rows`), the rows checked
against each other (`consistency`) and against what the database already holds (`existing`,
`plan`); only a file without a single problem is written (`writer`), in one transaction
(`operation`). See docs/import.md for the format.
"""
