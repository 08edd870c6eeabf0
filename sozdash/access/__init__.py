"""Who sees and who did what: accounts and login, visibility per role, statistical confidentiality, audit log."""
