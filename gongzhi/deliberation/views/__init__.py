"""Pages of deliberation: public and resident pages (mobile first) and staff desks. Split by subject."""
