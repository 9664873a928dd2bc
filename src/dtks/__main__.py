from dtks.cli import main

main()
