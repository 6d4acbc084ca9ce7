# A BDAT argument that is not "SIZE [LAST]" is 501; since no size can be
# trusted nothing is read.  The transaction goes on.
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
C: BDAT
S: 501 5.5.4 This command needs an argument
C: BDAT x
S: 501 5.5.4 Syntax error in parameters or arguments
C: BDAT -1
S: 501 5.5.4 Syntax error in parameters or arguments
C: BDAT 1x
S: 501 5.5.4 Syntax error in parameters or arguments
C: BDAT 99999999999999999999
S: 501 5.5.4 Syntax error in parameters or arguments
C: BDAT 1  LAST
S: 501 5.5.4 Syntax error in parameters or arguments
C: BDAT 1 LASTX
S: 501 5.5.4 Syntax error in parameters or arguments
C: BDAT 1 LAST x
S: 501 5.5.4 Syntax error in parameters or arguments
C> BDAT 4 LAST\r\nok\r\n
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!body example.test/alice ok\r\n
!log code=501 status=5.5.4 cmd=BDAT
