"""The one shape of a staff form page: GET shows the form; POST validates, asks the service,
and either goes on (``done``) or shows the form again with the errors and a 4xx."""

from flask import render_template

from pb.services.errors import ServiceError


def form_page(form, template: str, save, done, **context):
    """``save()`` runs the service's use-case; ``done(result)`` returns the response after it
    (usually a redirect). A service's refusal shows next to its field, with the service's status."""
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            try:
                result = save()
            except ServiceError as err:
                form.add_service_error(err)
                status = err.status
            else:
                return done(result)
    return render_template(template, form=form, **context), status
