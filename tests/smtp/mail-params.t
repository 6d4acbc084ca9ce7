# BODY=7BIT/8BITMIME (RFC 6152) are accepted, BINARYMIME is not offered
# (501); SMTPUTF8 takes no value; AUTH=<> is accepted and ignored; an
# unknown parameter is 555 5.5.4; more than 8 parameters is a syntax error.
!user example.test/alice
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
C: MAIL FROM:<bob@example.net> BODY=BINARYMIME
S: 501 5.5.4 Invalid parameter value
C: MAIL FROM:<bob@example.net> BODY=
S: 501 5.5.4 Syntax error in parameters or arguments
C: MAIL FROM:<bob@example.net> BODY
S: 501 5.5.4 Invalid parameter value
C: MAIL FROM:<bob@example.net> BODY=7BIT BODY=8BITMIME
S: 501 5.5.4 Duplicate parameter
C: MAIL FROM:<bob@example.net> SMTPUTF8=yes
S: 501 5.5.4 Invalid parameter value
C: MAIL FROM:<bob@example.net> AUTH
S: 501 5.5.4 Invalid parameter value
C: MAIL FROM:<bob@example.net> FOO=BAR
S: 555 5.5.4 Unsupported MAIL or RCPT parameter
C: MAIL FROM:<bob@example.net> RET=HDRS
S: 555 5.5.4 Unsupported MAIL or RCPT parameter
C: MAIL FROM:<bob@example.net> =X
S: 501 5.5.4 Syntax error in parameters or arguments
C: MAIL FROM:<bob@example.net> BODY=7BIT SIZE=1 SMTPUTF8 AUTH=<> A=1 B=2 C=3 D=4 E=5
S: 501 5.5.4 Syntax error in parameters or arguments
C: MAIL FROM:<bob@example.net> BODY=7bit
S: 250 2.1.0 Sender ok
C: RSET
S: 250 2.0.0 Reset state
C: MAIL FROM:<bob@example.net> AUTH=<>
S: 250 2.1.0 Sender ok
C: RSET
S: 250 2.0.0 Reset state
C: MAIL FROM:<bob@example.net> BODY=8BITMIME SIZE=100 SMTPUTF8
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C> Subject: caf\xc3\xa9\r\n\r\n\xe2\x82\xac 8-bit\r\n.\r\n
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!body example.test/alice Subject: caf\xc3\xa9\r\n\r\n\xe2\x82\xac 8-bit\r\n
!log code=555 status=5.5.4 cmd=MAIL
