//! Enrolment (参保登记) and back payment (补缴): the two flows the notice keeps at the village
//! and the town center, as forms and states both the app and the server understand.
