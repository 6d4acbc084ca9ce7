PLUGINS += dnsbl
dnsbl_SRCS := plugins/dnsbl/dnsbl.c plugins/dnsbl/lists.c
dnsbl_LIBS := -lcares
