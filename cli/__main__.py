from civicloud.main import main

main()
