"""Server configuration: inventory generation and Ansible runs."""
