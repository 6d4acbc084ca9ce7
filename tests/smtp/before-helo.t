# Before HELO/EHLO: NOOP, HELP, RSET, VRFY and EXPN work (RFC 5321 4.1.4);
# MAIL, RCPT, DATA and BDAT get 503, and BDAT's octets are still read.
S: 220 mx.example.test ESMTP cartero
C: NOOP
S: 250 2.0.0 Ok
C: HELP
S: 214 2.0.0 *
C: RSET
S: 250 2.0.0 Reset state
C: VRFY alice
S: 252 2.5.0 *
C: EXPN staff
S: 252 2.5.0 *
C: MAIL FROM:<bob@example.net>
S: 503 5.5.1 Send HELO/EHLO first
C: RCPT TO:<alice@example.test>
S: 503 5.5.1 Send HELO/EHLO first
C: DATA
S: 503 5.5.1 Send HELO/EHLO first
C> BDAT 6\r\nQUIT\r\n
S: 503 5.5.1 Send HELO/EHLO first
C: NOOP
S: 250 2.0.0 Ok
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: MAIL FROM:<bob@example.net>
S: 250 2.1.0 Sender ok
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!log code=503 status=5.5.1 cmd=MAIL text="Send HELO/EHLO first"
