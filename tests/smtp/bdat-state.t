# While a chunked message is open: DATA is 503 (RFC 3030 2), MAIL, RCPT
# and EHLO are 503 too; NOOP, HELP, VRFY and EXPN work (RFC 5321 4.1.4);
# the transfer then completes.
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
C> BDAT 4\r\nab\r\n
S: 250 2.0.0 Ok: octets received: 4
C: DATA
S: 503 5.5.1 DATA not allowed after BDAT in one transaction
C: MAIL FROM:<bob@example.net>
S: 503 5.5.1 BDAT transfer in progress; send BDAT or RSET
C: RCPT TO:<alice@example.test>
S: 503 5.5.1 BDAT transfer in progress; send BDAT or RSET
C: EHLO client.example
S: 503 5.5.1 BDAT transfer in progress; send BDAT or RSET
C: NOOP
S: 250 2.0.0 Ok
C: HELP
S: 214 2.0.0 *
C: VRFY alice
S: 252 2.5.0 *
C: EXPN staff
S: 252 2.5.0 *
C> BDAT 4 LAST\r\ncd\r\n
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!body example.test/alice ab\r\ncd\r\n
!log text="DATA not allowed after BDAT in one transaction"
