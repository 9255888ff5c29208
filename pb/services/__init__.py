"""Use-cases shared by views, the CLI and the SMS channel. Each runs in one transaction."""
