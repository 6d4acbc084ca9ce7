PLUGINS += lmtp
lmtp_SRCS := plugins/lmtp/lmtp.c plugins/lmtp/hop.c
lmtp_LIBS :=
