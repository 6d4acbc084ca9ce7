# limits at helo, mail, rcpt and data: reject, defer and the per-message cap.
!user example.test/alice
!user example.test/bob
!user example.test/carol
!file helos evil.example\n
!file senders *@spam.example reject\n*@slow.example defer\n
!file recipients carol@* reject\n
!conf [smtpd]
!conf filters = limits
!conf [plugin limits]
!conf helos = helos
!conf senders = senders
!conf recipients = recipients
!conf max_recipients = 2
!conf max_size = 400
S: 220 *
C: HELO evil.example
S: 550 5.7.1 HELO name rejected by policy
C: HELO good.example
S: 250 mx.example.test
C: MAIL FROM:<x@spam.example>
S: 550 5.7.1 Sender address rejected by policy
C: MAIL FROM:<x@slow.example>
S: 450 4.7.1 Sender address temporarily deferred by policy
C: MAIL FROM:<x@ok.example>
S: 250 2.1.0 Sender ok
C: RCPT TO:<carol@example.test>
S: 550 5.7.1 Recipient address rejected by policy
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<bob@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<postmaster@example.test>
S: 452 4.5.3 Too many recipients for this message
C: DATA
S: 354 *
C: Subject: this message is too long for max_size = 400 once the trace fields are there
C:
C: 0123456789012345678901234567890123456789012345678901234567890123456789
C: 0123456789012345678901234567890123456789012345678901234567890123456789
C: 0123456789012345678901234567890123456789012345678901234567890123456789
C: .
S: 552 5.3.4 Message too big for this site's policy
C: QUIT
S: 221 *
!mail example.test/alice 0
!log plugin=limits hook=data verdict=reject code=552
