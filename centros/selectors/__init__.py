"""Read functions of `centros`, one module per reader: `acceso` (who sees which centres),
`mensual` (a centre's month and year pages), `completitud` (the coordination's matrix),
`inicio` (home pages), `informe` (the annual report), `consistencia` (the review panel);
`estados` and `anuales` hold what several of them share."""
