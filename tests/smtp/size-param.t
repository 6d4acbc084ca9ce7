# SIZE (RFC 1870): announced from max_message_size; a declared size over
# it is 552 5.3.4 at MAIL; a value that is not a number, or has 20+
# digits (overflow), is 501 5.5.4; a repeated parameter is 501.
!user example.test/alice
!conf [smtpd]
!conf max_message_size = 1000
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE 1000
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: MAIL FROM:<bob@example.net> SIZE=1001
S: 552 5.3.4 Message size exceeds fixed maximum message size
C: MAIL FROM:<bob@example.net> SIZE=18446744073709551615
S: 552 5.3.4 Message size exceeds fixed maximum message size
C: MAIL FROM:<bob@example.net> SIZE=99999999999999999999
S: 501 5.5.4 Invalid parameter value
C: MAIL FROM:<bob@example.net> SIZE=100000000000000000000000
S: 501 5.5.4 Invalid parameter value
C: MAIL FROM:<bob@example.net> SIZE=-1
S: 501 5.5.4 Invalid parameter value
C: MAIL FROM:<bob@example.net> SIZE=1k
S: 501 5.5.4 Invalid parameter value
C: MAIL FROM:<bob@example.net> SIZE
S: 501 5.5.4 Invalid parameter value
C: MAIL FROM:<bob@example.net> SIZE=
S: 501 5.5.4 Syntax error in parameters or arguments
C: MAIL FROM:<bob@example.net> SIZE=10 SIZE=10
S: 501 5.5.4 Duplicate parameter
C: MAIL FROM:<bob@example.net> SIZE=1000
S: 250 2.1.0 Sender ok
C: RSET
S: 250 2.0.0 Reset state
C: MAIL FROM:<bob@example.net> size=20
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: small
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!log code=552 status=5.3.4 cmd=MAIL
