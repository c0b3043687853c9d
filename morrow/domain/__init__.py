"""Domain types shared by every engine: errors, clock, roles. Imports nothing from db, web or settings."""
