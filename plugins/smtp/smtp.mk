PLUGINS += smtp
smtp_SRCS := plugins/smtp/smtp.c plugins/lmtp/hop.c
smtp_LIBS :=
