PLUGINS += passwd
passwd_SRCS := plugins/passwd/passwd.c plugins/passwd/pwfile.c
passwd_LIBS := -lsodium -lcrypt
