"""The demo clinic: a deterministic, plausible clinic generated through the same services real input uses."""
