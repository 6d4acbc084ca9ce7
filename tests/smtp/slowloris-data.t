# In DATA the deadline is renewed only when a line end arrives: a message
# trickled without line ends (gaps 0.4 s, timeout = 1) is cut off, and
# nothing is stored.  Its end comes at 2.4 s, well after the 421.
!user example.test/alice
!conf [smtpd]
!conf timeout = 1
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
S: 354 *
C: Subject: slow
C> a
!sleep 0.4
C> b
!sleep 0.4
C> c
!sleep 0.4
C> d
!sleep 0.4
C> e
!sleep 0.4
C> f
!sleep 0.4
C> \r\n.\r\n
S: 421 4.4.2 Timeout exceeded, closing connection
S: <EOF>
!mail example.test/alice 0
!tmp-empty example.test/alice
!log reason=timeout
