# The README's commands, for those who prefer make.
.PHONY: demo test lint up down status bench

demo:   ; scripts/demo
test:   ; scripts/test
lint:   ; .venv/bin/ruff check .
up:     ; scripts/local-cloud up
down:   ; scripts/local-cloud down
status: ; scripts/local-cloud status
bench:  ; for b in bench/*.py; do .venv/bin/python $$b || exit 1; done
