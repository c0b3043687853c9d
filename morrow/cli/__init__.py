"""Command-line entry points (Typer). Each command is a thin shell over services and engines."""
