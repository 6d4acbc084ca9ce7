PLUGINS += checkpassword
checkpassword_SRCS := plugins/checkpassword/checkpassword.c
checkpassword_LIBS :=
