PLUGINS += tls
tls_SRCS := plugins/tls/tls.c
tls_LIBS := -lgnutls
