"""Appeal pages: residents (resident.py), staff desks (staff.py), administration (admin.py), dashboard."""
