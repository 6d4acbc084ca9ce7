# cartero: one non-recursive GNU Makefile.  Local settings go in config.mak.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
PLUGINDIR ?= $(LIBDIR)/cartero/plugins
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

CC ?= cc
CFLAGS ?= -O2 -g
WARN := -std=c11 -Wall -Wextra -Werror -Wstrict-prototypes \
	-Wmissing-prototypes -Wshadow -Wpointer-arith -Wcast-qual
CPPFLAGS_ALL = -D_GNU_SOURCE -Isdk/include -DCARTERO_PLUGIN_DIR='"$(PLUGINDIR)"'
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# ASan intercepts crypt_r and finds the real one only in the program's own
# namespace: the sanitizer programs load libcrypt for the passwd plugin.
SAN_LIBS := -Wl,--no-as-needed -lcrypt -Wl,--as-needed
LTDL_LIBS := -lltdl

-include config.mak
.DEFAULT_GOAL := all

SDK_SRCS := sdk/src/io.c sdk/src/dot.c sdk/src/conf.c sdk/src/log.c \
	sdk/src/peer.c sdk/src/addr.c sdk/src/reply-table.c \
	sdk/src/plugin-load.c sdk/src/session.c sdk/src/spool.c \
	sdk/src/setup.c sdk/src/md5.c sdk/src/sasl.c \
	sdk/src/auth.c sdk/src/tls.c sdk/src/proxy.c
SMTPD_SRCS := bin/cartero-smtpd.c bin/smtp.c bin/smtp-data.c bin/smtp-auth.c \
	bin/filter.c
POP3D_SRCS := bin/cartero-pop3d.c bin/pop3.c
PASSWD_SRCS := bin/cartero-passwd.c plugins/passwd/pwfile.c
PROGRAMS := bin/cartero-smtpd bin/cartero-pop3d bin/cartero-passwd
PLUGINS :=
include $(wildcard plugins/*/*.mk)
UNIT_SRCS := $(wildcard tests/unit/test-*.c)
TEST_PLUGINS := tests/plugins/abimismatch.so tests/plugins/probe.so tests/plugins/testauth.so

# Normal build: objects in build/, programs in bin/, plugins in plugins/.
# Sanitizer build: everything under build/asan/.
B := build
A := build/asan

all: $(PROGRAMS) $(PLUGINS:%=plugins/%.so) sdk/cartero.pc

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_ALL) $(CPPFLAGS) $(WARN) $(CFLAGS) -MMD -MP -c -o $@ $<
$(B)/pic/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_ALL) $(CPPFLAGS) $(WARN) $(CFLAGS) -fPIC -fvisibility=hidden -MMD -MP -c -o $@ $<
$(A)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_ALL) $(CPPFLAGS) $(WARN) -O1 -g $(SAN) -MMD -MP -c -o $@ $<
$(A)/pic/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_ALL) $(CPPFLAGS) $(WARN) -O1 -g $(SAN) -fPIC -fvisibility=hidden -MMD -MP -c -o $@ $<

$(B)/libcartero.a: $(SDK_SRCS:%.c=$(B)/%.o)
	$(AR) rcs $@ $^
$(A)/libcartero.a: $(SDK_SRCS:%.c=$(A)/%.o)
	$(AR) rcs $@ $^

bin/cartero-smtpd: $(SMTPD_SRCS:%.c=$(B)/%.o) $(B)/libcartero.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LTDL_LIBS)
$(A)/bin/cartero-smtpd: $(SMTPD_SRCS:%.c=$(A)/%.o) $(A)/libcartero.a
	@mkdir -p $(@D)
	$(CC) $(SAN) -o $@ $^ $(LTDL_LIBS) $(SAN_LIBS)

bin/cartero-pop3d: $(POP3D_SRCS:%.c=$(B)/%.o) $(B)/libcartero.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LTDL_LIBS)
$(A)/bin/cartero-pop3d: $(POP3D_SRCS:%.c=$(A)/%.o) $(A)/libcartero.a
	@mkdir -p $(@D)
	$(CC) $(SAN) -o $@ $^ $(LTDL_LIBS) $(SAN_LIBS)

bin/cartero-passwd: $(PASSWD_SRCS:%.c=$(B)/%.o) $(B)/libcartero.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lsodium -lcrypt

# Each plugins/NAME/NAME.mk adds NAME to PLUGINS and sets NAME_SRCS, NAME_LIBS.
define plugin_rules
plugins/$(1).so: $$($(1)_SRCS:%.c=$(B)/pic/%.o)
	$$(CC) -shared $$(LDFLAGS) -o $$@ $$^ $$($(1)_LIBS)
$(A)/plugins/$(1).so: $$($(1)_SRCS:%.c=$(A)/pic/%.o)
	@mkdir -p $$(@D)
	$$(CC) -shared $(SAN) -o $$@ $$^ $$($(1)_LIBS)
endef
$(foreach p,$(PLUGINS),$(eval $(call plugin_rules,$(p))))

tests/plugins/%.so: $(B)/pic/tests/plugins/%.o
	$(CC) -shared -o $@ $^

$(B)/tests/unit/%: $(B)/tests/unit/%.o $(B)/libcartero.a
	$(CC) -o $@ $^ $(LTDL_LIBS)
$(A)/tests/unit/%: $(A)/tests/unit/%.o $(A)/libcartero.a
	$(CC) $(SAN) -o $@ $^ $(LTDL_LIBS)

UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/unit/%)
ASAN_BINS := $(A)/bin/cartero-smtpd $(A)/bin/cartero-pop3d $(PLUGINS:%=$(A)/plugins/%.so) \
	$(UNIT_SRCS:tests/unit/%.c=$(A)/tests/unit/%)

sdk/cartero.pc: sdk/cartero.pc.in sdk/include/cartero/version.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@VERSION@|'"$$(sed -n 's/^#define CARTERO_VERSION "\(.*\)"/\1/p' sdk/include/cartero/version.h)"'|' \
	    -e 's|@PLUGINDIR@|$(PLUGINDIR)|' $< > $@

deps:
	@scripts/deps build
deps-test:
	@scripts/deps test

check: deps-test
	@$(MAKE) -s all $(UNIT_BINS) $(TEST_PLUGINS) $(ASAN_BINS) >/dev/null
	@python3 tests/run

run: deps
	@$(MAKE) -s all
	@scripts/run

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PLUGINDIR) \
	    $(DESTDIR)$(INCLUDEDIR)/cartero $(DESTDIR)$(PKGCONFIGDIR) \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man3
	install -m 755 $(PROGRAMS) $(DESTDIR)$(BINDIR)/
	install -m 755 $(PLUGINS:%=plugins/%.so) $(DESTDIR)$(PLUGINDIR)/
	install -m 644 sdk/include/cartero/*.h $(DESTDIR)$(INCLUDEDIR)/cartero/
	install -m 644 sdk/cartero.pc $(DESTDIR)$(PKGCONFIGDIR)/
	install -m 644 docs/*.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 644 docs/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 644 docs/*.3 $(DESTDIR)$(MANDIR)/man3/

clean:
	rm -rf build $(PROGRAMS) plugins/*.so tests/plugins/*.so sdk/cartero.pc var

.PHONY: all check run install clean deps deps-test
.SECONDARY:
-include $(shell find build -name '*.d' 2>/dev/null)
