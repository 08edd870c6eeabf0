"""Projects and funding: projects, funding rounds, timeline, Altenhilfe-Wirkungspakete, the Sozialbericht process."""
