"""The command-line driver: parse, call one service, render. No rule lives here.

Modules under ``cli`` import only Typer and light modules at load time; services (and so
SQLAlchemy, passlib, zxcvbn) are imported inside the commands, which keeps ``--help`` fast.
"""
