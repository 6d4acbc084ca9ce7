# The spool cannot be opened (TMPDIR does not exist): DATA and BDAT get
# 451 4.3.0 and the client keeps its message; the failed BDAT stays failed
# until LAST.
!env TMPDIR=/nonexistent/cartero-spool
!user example.test/alice
S: 220 mx.example.test ESMTP cartero
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
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 451 4.3.0 Temporary failure, message not accepted; try again later
C> BDAT 4\r\nab\r\n
S: 451 4.3.0 Temporary failure, message not accepted; try again later
C> BDAT 4 LAST\r\ncd\r\n
S: 451 4.3.0 Temporary failure, message not accepted; try again later
C: MAIL FROM:<bob@example.net>
S: 250 2.1.0 Sender ok
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 0
!log op=spool-open
!log code=451 status=4.3.0 cmd=DATA
