# A non-ASCII address needs MAIL's SMTPUTF8 parameter (RFC 6531 3.4):
# 553 5.6.7 without it; malformed UTF-8 is 553 5.6.7 even with it.
!conf [smtpd]
!conf max_errors = 100
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: MAIL FROM:<jörg@example.net>
S: 553 5.6.7 Non-ASCII address needs the SMTPUTF8 parameter
C: MAIL FROM:<bob@exämple.net> BODY=8BITMIME
S: 553 5.6.7 Non-ASCII address needs the SMTPUTF8 parameter
C> MAIL FROM:<b\xffb@example.net> SMTPUTF8\r\n
S: 553 5.6.7 Malformed UTF-8 in address
C> MAIL FROM:<b\xc3@example.net> SMTPUTF8\r\n
S: 553 5.6.7 Malformed UTF-8 in address
C> MAIL FROM:<b@example.\xc3> SMTPUTF8\r\n
S: 553 5.6.7 Malformed UTF-8 in address
C> MAIL FROM:<b\xc0\xafb@example.net> SMTPUTF8\r\n
S: 553 5.6.7 Malformed UTF-8 in address
C> MAIL FROM:<b\xed\xa0\x80b@example.net> SMTPUTF8\r\n
S: 553 5.6.7 Malformed UTF-8 in address
C: MAIL FROM:<bob@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<élise@example.test>
S: 553 5.6.7 Non-ASCII address needs the SMTPUTF8 parameter
C: DATA
S: 554 5.5.1 No valid recipients
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!log code=553 status=5.6.7 cmd=MAIL
!log code=553 status=5.6.7 cmd=RCPT
