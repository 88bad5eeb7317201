"""python -m civicloud.localcloud up|down|status|logs"""

from civicloud.localcloud.cli import main

main()
