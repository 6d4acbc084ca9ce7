# Every 5xx reply counts; at max_errors the server says 421 4.7.0 and
# closes, exit 0.  Good commands in between do not reset the count.
!conf [smtpd]
!conf max_errors = 3
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: XYZZ
S: 500 5.5.2 Command not recognized
C: NOOP
S: 250 2.0.0 Ok
C: RCPT TO:<alice@example.test>
S: 503 5.5.1 Need MAIL command first
C: MAIL FROM:broken
C: NOOP
S: 501 5.1.7 Bad sender address syntax
S: 421 4.7.0 Too many errors, closing connection
S: <EOF>
!log event=disconnect reason=errors
!log code=421 status=4.7.0
