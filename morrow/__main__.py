from morrow.cli.app import main

main()
