PLUGINS += greylist
greylist_SRCS := plugins/greylist/greylist.c plugins/greylist/policy.c \
	plugins/greylist/store-sqlite.c
greylist_LIBS := -lsqlite3
# tests/unit/test-greylist.c tests policy.c and the SQLite store: link them.
build/tests/unit/test-greylist: build/plugins/greylist/policy.o \
	build/plugins/greylist/store-sqlite.o
build/asan/tests/unit/test-greylist: build/asan/plugins/greylist/policy.o \
	build/asan/plugins/greylist/store-sqlite.o
build/tests/unit/test-greylist build/asan/tests/unit/test-greylist: \
	LTDL_LIBS += -lsqlite3
