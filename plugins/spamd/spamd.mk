PLUGINS += spamd
spamd_SRCS := plugins/spamd/spamd.c plugins/spamd/spamc.c
spamd_LIBS :=
# tests/unit/test-spamd.c tests the protocol parts in spamc.c: link them.
build/tests/unit/test-spamd: build/plugins/spamd/spamc.o
build/asan/tests/unit/test-spamd: build/asan/plugins/spamd/spamc.o
